# make bench (bench/run_bench.py): the login's figures, added to the default manifest (its
# login screen starting the desktop); guibench calls the users service itself for the hash.
service guibench prio=16 pages=256 grant=svcmgr,proc -- login
