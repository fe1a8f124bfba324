"""The experiments the app offers: one entry per page, in menu order.

app.py builds the navigation from this list and the home page describes each
entry, so adding a page means adding one `Experiment` here.
"""

from __future__ import annotations

from dataclasses import dataclass

from nnkit.core.predict import Question


@dataclass(frozen=True)
class Experiment:
    """A page and the one-line lesson the home page gives for it."""

    path: str       # page file, relative to the app root
    title: str
    icon: str       # a Streamlit material icon
    section: str    # sidebar group
    teaches: str    # what a learner leaves knowing
    try_this: str   # one concrete thing to click
    question: Question | None = None  # asked before Train; the experiment's predict.answer judges it
    heavy: bool = False  # convolutions, recurrences or a pretrained network: a cluster gives it more CPUs, a GPU

    @property
    def name(self) -> str:
        """The experiment's one name: page file stem, package and session-state namespace."""
        return self.path.removeprefix("pages/").removesuffix(".py")


EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment("pages/first_neuron.py", "Your first neuron", ":material/scatter_plot:", "Start here",
               "One neuron can only draw a straight line; a few hidden layers bend the boundary around "
               "the data.",
               "Train the single neuron on moons, then switch to the small network and watch the "
               "boundary curl round the moons.",
               Question("How many of the held-out points will this model classify correctly?",
                        ("No better than guessing (under 60%)", "Some (60–90%)", "Nearly all (over 90%)"))),
    Experiment("pages/build_network.py", "Build your own network", ":material/stacks:", "Start here",
               "The whole Keras workflow on a real table: stack layers into a Sequential model, compile, fit "
               "with a validation set, and judge it on held-out test rows against a simple baseline.",
               "Train the default network on breast cancer and compare its test accuracy with "
               "LogisticRegression; then set the learning rate to 0.01 and 30 epochs, watch the validation "
               "loss rise, and turn on EarlyStopping.",
               Question("On the held-out test rows, how will your network score against the linear baseline "
                        "(LogisticRegression, or LinearRegression for a number)?",
                        ("Better", "Exactly the same", "Worse"))),
    Experiment("pages/activations.py", "Activation explorer", ":material/show_chart:", "Building blocks",
               "Sigmoid and tanh flatten out, so in deep nets their gradients vanish layer by layer; "
               "ReLU keeps them alive but can die.",
               "Train sigmoid, tanh and ReLU on moons with 6 hidden layers and compare the gradient "
               "reaching layer 1.",
               Question("Before training, in how many of these networks will the first hidden layer get a "
                        "gradient at least 10× smaller than the last hidden layer's?",
                        ("All of them", "Some of them", "None of them"))),
    Experiment("pages/backprop.py", "Back-propagation by hand", ":material/account_tree:", "Building blocks",
               "Back-propagation is the chain rule applied from the loss back: each gradient is the one "
               "above it times one local derivative, and the page's hand numbers equal Keras's autodiff.",
               "Press Next step until ∂L/∂w₁₁ and read its whole chain; then set the target to 0.8 and "
               "η to 30 and take an SGD step: the loss jumps up instead of down.",
               Question("Will this click's SGD step bring the loss down or push it up?", ("Down", "Up"))),
    Experiment("pages/losses.py", "Loss functions", ":material/functions:", "Building blocks",
               "A loss turns an error into a number and a gradient: MSE chases outliers, MAE and Huber "
               "shrug them off, log loss punishes confident mistakes, and class weights trade precision "
               "for recall.",
               "Set outliers to 0.3 and train experiment A: the MSE line is dragged away while MAE stays "
               "on the true line; then drop the class-1 share to 0.05 in experiment B and compare "
               "recall.",
               Question("In experiment A, which loss's fitted line will end closest to the true line "
                        "(on the clean points)?", ("MSE", "MAE", "Huber"))),
    Experiment("pages/optimisers.py", "Optimisers", ":material/speed:", "Building blocks",
               "How learning rate, momentum and adaptive steps change the path gradient descent takes, "
               "and how to pick a learning rate with a range test.",
               "Set the quadratic's κ to 100 and race SGD against SGD + momentum and Adam; then give SGD "
               "η = 3 and watch it diverge, and read off at which step.",
               Question("On the real network, which kind of optimiser will reach the best held-out accuracy?",
                        ("Plain SGD", "SGD with momentum (or Nesterov)",
                         "One that scales its own steps (Adam, RMSprop, Lion, …)"))),
    Experiment("pages/training_strategies.py", "Training strategies", ":material/fitness_center:", "Building blocks",
               "A net with more weights than rows memorises them: validation loss turns up while training loss "
               "falls. Dropout, L2, a smaller net, more data and early stopping close the gap; callbacks and "
               "batch size change how training runs.",
               "Train the too-big net and note the gap, then train Dropout 0.5 as its twin; then compare batch "
               "size 1, 32 and full batch and read the updates and milliseconds per epoch.",
               Question("While its training loss falls, what will its validation loss do?",
                        ("Keep falling, or level off", "Bottom out, then climb back up"))),
    Experiment("pages/cnn_filters.py", "CNN filters", ":material/filter_center_focus:", "Architectures",
               "A convolution slides one small kernel over the whole image; a CNN learns its own kernels "
               "and beats a dense net of the same size on images.",
               "Try Sobel x with stride 2 on the cat, then train the CNN and watch its first-layer "
               "filters turn from noise into edge detectors.",
               Question("How far will this training move the first-layer filters from their random start?",
                        ("Hardly: they stay noise (under 10% of their size)",
                         "Clearly: they take shape (10% or more)")),
               heavy=True),
    Experiment("pages/rnn_text.py", "RNN text generation", ":material/edit_note:", "Architectures",
               "A recurrent network predicts the next character from its running state; temperature "
               "trades safe, repetitive text for surprising text, and an LSTM remembers further back "
               "than a plain RNN.",
               "Train the LSTM on the Sonnets for 2 epochs, then generate from the same prompt at "
               "temperature 0.2 and 1.5 and watch the next-character bars.",
               Question("Guessing uniformly among the text's characters costs ln k nats per character. Where "
                        "will this run's held-out loss end?",
                        ("No better than guessing", "Better, but above 60% of guessing's cost",
                         "Below 60% of guessing's cost: it spells words")),
               heavy=True),
    Experiment("pages/autoencoder.py", "Autoencoders & anomalies", ":material/compress:", "Applications",
               "An autoencoder squeezed through a bottleneck rebuilds normal data well and unusual data "
               "badly, so reconstruction error flags anomalies; the threshold trades missed anomalies "
               "against false alarms.",
               "Train on the digit 0, then drag the threshold slider and watch precision, recall and the "
               "confusion matrix change; shrink the bottleneck to 2 and compare the latent scatter with "
               "PCA.",
               Question("Trained on normal samples only, how will it rebuild the anomalies, compared with "
                        "normal samples it never saw?",
                        ("About as well (error under 1.5×)", "Somewhat worse (1.5–3× the error)",
                         "Much worse (over 3× the error)"))),
    Experiment("pages/gans.py", "GANs", ":material/swords:", "Applications",
               "A generator learns to imitate data only through a discriminator's gradient; the two play a "
               "game with no loss that falls, and it fails in named ways: mode collapse, a discriminator "
               "that wins, oscillation.",
               "Train the default GAN on the ring and watch its points spread to all 8 blobs; then set both "
               "learning rates to 0.03 and count the modes it keeps.",
               Question("With these settings, how will the game end?",
                        ("Healthy: G covers every mode, D is left guessing", "Mode collapse: G keeps only a few modes",
                         "The discriminator wins", "Oscillation: neither settles"))),
    Experiment("pages/transfer_learning.py", "Transfer learning", ":material/model_training:", "Applications",
               "A network trained on ImageNet gives features that make a new image task easy with few "
               "images; freezing trains only a small head, fine-tuning adapts the top blocks at much "
               "higher cost per epoch.",
               "Keep 15 images per class and press Train: compare the scratch CNN's validation accuracy "
               "and trainable parameters with the frozen head's, then unfreeze 4 blocks and train again.",
               Question("On these few images, which will score the higher validation accuracy: (a) the CNN "
                        "trained from scratch or (b) the new head on frozen ImageNet features?",
                        ("(a) the CNN from scratch", "(b) the frozen ImageNet features", "They tie")),
               heavy=True),
)


def is_heavy(ns: str) -> bool:
    """Whether runs of namespace `ns` ("rnn_text" or one of its sections, "rnn_text.cmp") are heavy."""
    entry = experiment(ns.split(".")[0])
    return bool(entry and entry.heavy)


def experiment(name: str) -> Experiment | None:
    """The catalog entry of page `name` (e.g. "first_neuron"), if it has one."""
    return next((e for e in EXPERIMENTS if e.name == name), None)
