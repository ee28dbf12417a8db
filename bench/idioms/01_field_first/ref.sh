# field 1 (the client IP) of each access-log line
# input: access
cut -d' ' -f1
