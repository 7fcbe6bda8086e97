"""Text steps: tokenizer, vocabulary, and the steps over token lists."""
