"""Dense representations: word vectors, PPMI vectors, continuous bag of words."""
