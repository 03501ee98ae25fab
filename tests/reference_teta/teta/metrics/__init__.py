from .teta import TETA
