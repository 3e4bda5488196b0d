// placeholder replaced by the CLI work
