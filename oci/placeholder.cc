// placeholder replaced by the oci model
