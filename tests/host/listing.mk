# The Files app's directory model (user/apps/files/listing.c; docs/apps.md).
HOST_TESTS += listing
listing_SRCS := user/apps/files/listing.c
