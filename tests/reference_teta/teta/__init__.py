from . import config, datasets, metrics, utils
from .eval import Evaluator
