# The PyTorch DCGAN tutorial's way: match on the class name, write through .data.
# %% cell: init
def initialize_weights(m):
    name = type(m).__name__
    if name.find("Conv") != -1 or name == "Linear":
        m.weight.data.normal_(0.0, 0.02)
        if m.bias is not None:
            m.bias.data.fill_(0)
    elif name.find("BatchNorm") != -1:
        m.weight.data.normal_(1.0, 0.02)
        m.bias.data.fill_(0)
