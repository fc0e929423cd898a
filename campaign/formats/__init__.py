"""Files made for other systems, e.g. the bank's batch card-opening file."""
