HOST_TESTS += process_tree
process_tree_SRCS := kernel/process_tree.c
