"""Build your own network: the whole Keras workflow (data, Sequential, compile,
fit, evaluate, predict, save) on real tables or the learner's CSV."""
