"""Parameter family: kernel-doc parameter sections, constant arguments, unused, temporary and
half-removed parameters."""
