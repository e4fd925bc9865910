# The policy service's rule tables (user/services/policy/rules.c) and badge names
# (user/lib/badges.c).
HOST_TESTS += policy
policy_SRCS := user/services/policy/rules.c user/lib/badges.c
