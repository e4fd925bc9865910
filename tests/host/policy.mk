# The policy service's rule and identity tables (user/services/policy/rules.c).
HOST_TESTS += policy
policy_SRCS := user/services/policy/rules.c
