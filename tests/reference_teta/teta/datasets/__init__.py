"""Datasets."""
from .coco import COCO
from .tao import TAO
from .bdd import BDD
from .coco_mots import COCOMOTS
from .bdd_mots import BDDMOTS