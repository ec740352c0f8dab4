"""delegates."""
