# the lines with took= of 1000 ms or more
# input: applog
grep -E 'took=[0-9]{4,}ms'
