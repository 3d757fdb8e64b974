"""Partner links: an update on one action from a partner agency's owner, without signing in."""
