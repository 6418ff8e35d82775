"""Security foundations: field encryption, masking, audit log."""
