"""Neural-network side of pillcmp: the only subpackage that imports torch, torchvision or timm.

Nothing outside ``pill_compare.nn`` may import this package at module import time, so that
``import pill_compare`` and the evaluation commands stay free of torch.
"""
