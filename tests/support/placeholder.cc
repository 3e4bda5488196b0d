// placeholder replaced by test support
