"""Personal tokens: the private calendar feed address and the API's access tokens."""
