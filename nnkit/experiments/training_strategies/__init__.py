"""Training strategies: a too-big net over-fits a small real table; Dropout, L2,
a smaller net, more data, BatchNormalization and early stopping each pull the
validation curve back, Keras callbacks fire for real, and batch size changes
how noisy and how fast each epoch is."""
