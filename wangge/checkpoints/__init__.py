"""Checkpoints (卡口): every vehicle and every person in it, registered on a page or an offline device."""
