"""Contact-point members (千人联系点) and informants (信访情报员): registration, invites, binding, import."""
