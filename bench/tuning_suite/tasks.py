"""Tasks of the Bayesmark-style tuning suite: scikit-learn models on the datasets
scikit-learn bundles, each with its Bayesmark search space (uber/bayesmark,
bayesmark/sklearn_funcs.py), minimizing 3-fold cross-validated error (classification:
1 - accuracy) or mean squared error (regression).

Differences from Bayesmark, on purpose:
- 3-fold CV on the whole dataset (Bayesmark: 5-fold on an 80% split); KFold with a fixed
  shuffle seed and fixed model random_state, so every task is deterministic and its
  evaluations can be cached by configuration.
- Bayesmark's "logit" warping has no W&B distribution: those parameters are `uniform`
  over the same range here, for every method alike.
- Lasso regression drops `normalize` (removed from scikit-learn 1.2).
- Features are standardized inside the CV pipeline for SVM, kNN, MLP and the linear
  models (what a user would do; Bayesmark's data loader does the same for its bundled
  data sets).
Standard library plus the Debian scikit-learn/numpy; run with /usr/bin/python3.
"""
import hashlib, inspect, warnings

# Each space entry: name -> (kind, lo, hi) with kind int | float | log | logint | bool.
DT = {"max_depth": ("int", 1, 15), "min_samples_split": ("float", 0.01, 0.99),
      "min_samples_leaf": ("float", 0.01, 0.49), "min_weight_fraction_leaf": ("float", 0.01, 0.49),
      "max_features": ("float", 0.01, 0.99), "min_impurity_decrease": ("float", 0.0, 0.5)}
SVM = {"C": ("log", 1.0, 1e3), "gamma": ("log", 1e-4, 1e-3), "tol": ("log", 1e-5, 1e-1)}
KNN = {"n_neighbors": ("int", 1, 25), "p": ("int", 1, 4)}
ADA = {"n_estimators": ("int", 10, 100), "learning_rate": ("log", 1e-4, 1e1)}
LINEAR = {"C": ("log", 1e-2, 1e2), "intercept_scaling": ("log", 1e-2, 1e2)}
MLP = {"hidden_layer_sizes": ("int", 50, 200), "alpha": ("log", 1e-5, 1e1),
       "batch_size": ("int", 10, 250), "learning_rate_init": ("log", 1e-5, 1e-1),
       "tol": ("log", 1e-5, 1e-1), "validation_fraction": ("float", 0.1, 0.9),
       "beta_1": ("float", 0.5, 0.99), "beta_2": ("float", 0.9, 1.0 - 1e-6),
       "epsilon": ("log", 1e-9, 1e-6)}
LASSO_REG = {"alpha": ("log", 1e-2, 1e2), "fit_intercept": ("bool", 0, 1),
             "max_iter": ("logint", 10, 5000), "tol": ("log", 1e-5, 1e-1), "positive": ("bool", 0, 1)}

# name -> (model, dataset, space)
TASKS = {
    "DT-digits": ("DT", "digits", DT),
    "RF-wine": ("RF", "wine", DT),  # Bayesmark's RF space is DT's six parameters
    "SVM-breast": ("SVM", "breast_cancer", SVM),
    "kNN-digits": ("kNN", "digits", KNN),
    "ada-breast": ("ada", "breast_cancer", ADA),
    "MLP-iris": ("MLP", "iris", MLP),
    "lasso-wine": ("lasso", "wine", LINEAR),
    "linear-breast": ("linear", "breast_cancer", LINEAR),
    "lasso-diabetes": ("lassoreg", "diabetes", LASSO_REG),
}


def spec_parameters(space):
    """The task's space as a W&B `parameters:` mapping."""
    out = {}
    for name, (kind, lo, hi) in space.items():
        if kind == "int":
            out[name] = {"distribution": "int_uniform", "min": lo, "max": hi}
        elif kind == "float":
            out[name] = {"distribution": "uniform", "min": lo, "max": hi}
        elif kind == "log":
            out[name] = {"distribution": "log_uniform_values", "min": lo, "max": hi}
        elif kind == "logint":
            out[name] = {"distribution": "q_log_uniform_values", "min": lo, "max": hi, "q": 1}
        else:
            out[name] = {"values": [True, False]}
    return out


def optuna_params(trial, space):
    p = {}
    for name, (kind, lo, hi) in space.items():
        if kind == "int":
            p[name] = trial.suggest_int(name, lo, hi)
        elif kind == "float":
            p[name] = trial.suggest_float(name, lo, hi)
        elif kind == "log":
            p[name] = trial.suggest_float(name, lo, hi, log=True)
        elif kind == "logint":
            p[name] = trial.suggest_int(name, lo, hi, log=True)
        else:
            p[name] = trial.suggest_categorical(name, [True, False])
    return p


_DATA = {}


def _data(name):
    if name not in _DATA:
        from sklearn import datasets
        loader = {"digits": datasets.load_digits, "wine": datasets.load_wine, "iris": datasets.load_iris,
                  "breast_cancer": datasets.load_breast_cancer, "diabetes": datasets.load_diabetes}[name]
        _DATA[name] = loader(return_X_y=True)
    return _DATA[name]


def _model(kind, p):
    from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier
    from sklearn.linear_model import Lasso, LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier
    scaled = lambda m: make_pipeline(StandardScaler(), m)
    if kind == "DT":
        return DecisionTreeClassifier(random_state=0, **p)
    if kind == "RF":
        return RandomForestClassifier(n_estimators=10, random_state=0, **p)
    if kind == "SVM":
        return scaled(SVC(kernel="rbf", random_state=0, **p))
    if kind == "kNN":
        return scaled(KNeighborsClassifier(**p))
    if kind == "ada":
        return AdaBoostClassifier(random_state=0, **p)
    if kind == "MLP":
        return scaled(MLPClassifier(solver="adam", early_stopping=True, random_state=0, **p))
    if kind in ("lasso", "linear"):
        return scaled(LogisticRegression(penalty="l1" if kind == "lasso" else "l2", solver="liblinear",
                                         random_state=0, **p))
    return scaled(Lasso(random_state=0, **p))


def evaluate(task, params):
    """3-fold CV loss of the task's model at params (deterministic)."""
    from sklearn.model_selection import KFold, cross_val_score
    kind, dataset, _ = TASKS[task]
    X, y = _data(dataset)
    p = dict(params)
    if kind == "MLP":
        p["hidden_layer_sizes"] = (int(p["hidden_layer_sizes"]),)
    if "max_iter" in p:
        p["max_iter"] = int(p["max_iter"])
    regression = kind == "lassoreg"
    cv = KFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = cross_val_score(_model(kind, p), X, y, cv=cv,
                            scoring="neg_mean_squared_error" if regression else "accuracy")
    return float(-s.mean()) if regression else float(1.0 - s.mean())


def fingerprint(task):
    """A digest of everything that decides the task's losses: its model, dataset and
    space, the source of the evaluation code (_model, _data, evaluate) and the
    scikit-learn version. The suite's cache keeps a task's evaluations only while this
    is unchanged."""
    import sklearn
    parts = [repr(TASKS[task]), sklearn.__version__] + [inspect.getsource(f) for f in (_model, _data, evaluate)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
