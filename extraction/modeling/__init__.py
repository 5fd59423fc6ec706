"""What the trainable models share: devices, the encoder, model folders and cards, the fit loop, the data split."""
