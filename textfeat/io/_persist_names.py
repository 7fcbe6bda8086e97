"""The names model files used before they named classes by their public name (data).

Until textfeat 0.x, :mod:`textfeat.persist` wrote the module path where a
class or function was defined (``textfeat.onehot.OneHotVectorizer``,
``sklearn.linear_model._logistic.LogisticRegression``). Files now name the
public one (``textfeat.OneHotVectorizer``,
``sklearn.linear_model.LogisticRegression``), which does not change when a
module moves. This fixed table, generated once from the layout of the
commit before the move and never computed from a prefix, maps each old name
a file may hold to its public name; a name not here and not on the
allow-lists is refused.
"""

__all__ = ["LEGACY_NAMES"]

LEGACY_NAMES: dict[str, str] = {
    "sklearn.decomposition._truncated_svd.TruncatedSVD": "sklearn.decomposition.TruncatedSVD",
    "sklearn.feature_selection._mutual_info.mutual_info_classif": "sklearn.feature_selection.mutual_info_classif",
    "sklearn.feature_selection._univariate_selection.SelectKBest": "sklearn.feature_selection.SelectKBest",
    "sklearn.feature_selection._univariate_selection.SelectPercentile": "sklearn.feature_selection.SelectPercentile",
    "sklearn.feature_selection._univariate_selection.chi2": "sklearn.feature_selection.chi2",
    "sklearn.feature_selection._univariate_selection.f_classif": "sklearn.feature_selection.f_classif",
    "sklearn.linear_model._logistic.LogisticRegression": "sklearn.linear_model.LogisticRegression",
    "sklearn.linear_model._ridge.RidgeClassifier": "sklearn.linear_model.RidgeClassifier",
    "sklearn.linear_model._stochastic_gradient.SGDClassifier": "sklearn.linear_model.SGDClassifier",
    "sklearn.preprocessing._data.MaxAbsScaler": "sklearn.preprocessing.MaxAbsScaler",
    "sklearn.preprocessing._data.Normalizer": "sklearn.preprocessing.Normalizer",
    "sklearn.preprocessing._data.StandardScaler": "sklearn.preprocessing.StandardScaler",
    "sklearn.preprocessing._label.LabelEncoder": "sklearn.preprocessing.LabelEncoder",
    "sklearn.svm._classes.LinearSVC": "sklearn.svm.LinearSVC",
    "textfeat.cbow.CBOWVectorizer": "textfeat.CBOWVectorizer",
    "textfeat.dropout.WordDropout": "textfeat.WordDropout",
    "textfeat.head.classifier.SoftmaxClassifier": "textfeat.SoftmaxClassifier",
    "textfeat.head.scaling.FrequencyScaler": "textfeat.FrequencyScaler",
    "textfeat.info.scoring.conditional_entropy": "textfeat.conditional_entropy",
    "textfeat.info.scoring.entropy": "textfeat.entropy",
    "textfeat.info.scoring.mutual_info": "textfeat.mutual_info",
    "textfeat.onehot.OneHotVectorizer": "textfeat.OneHotVectorizer",
    "textfeat.padding.SequencePadder": "textfeat.SequencePadder",
    "textfeat.ppmi.PPMIVectors": "textfeat.PPMIVectors",
    "textfeat.scaling.FrequencyScaler": "textfeat.FrequencyScaler",
    "textfeat.scoring.conditional_entropy": "textfeat.conditional_entropy",
    "textfeat.scoring.entropy": "textfeat.entropy",
    "textfeat.scoring.mutual_info": "textfeat.mutual_info",
    "textfeat.signatures.WordSignatures": "textfeat.WordSignatures",
    "textfeat.signatures.berkeley_signature": "textfeat.berkeley_signature",
    "textfeat.signatures.goldberg_signature": "textfeat.goldberg_signature",
    "textfeat.softmax.SoftmaxClassifier": "textfeat.SoftmaxClassifier",
    "textfeat.tokenize.SpacyTokenizer": "textfeat.SpacyTokenizer",
    "textfeat.vectors.WordVectors": "textfeat.WordVectors",
    "textfeat.vocab.Vocabulary": "textfeat.Vocabulary",
    "textfeat.windows.WindowVectorizer": "textfeat.WindowVectorizer",
    "textfeat.windows.word_shape": "textfeat.word_shape",
}
