# The system monitor's rows (user/apps/sysmon/model.c) and the live figures' arithmetic and
# text it shares with the control centre (user/lib/app/figures.c; docs/apps.md).
HOST_TESTS += sysmon
sysmon_SRCS := user/apps/sysmon/model.c user/lib/app/figures.c
