"""secondopinion: the settings and the command line that tie flows, webhooks and workers."""
