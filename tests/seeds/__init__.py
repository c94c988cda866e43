"""Every code sample of the five seed posts, run as written against fake third-party APIs."""
