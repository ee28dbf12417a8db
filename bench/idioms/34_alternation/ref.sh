# the lines containing ERROR or WARN
# input: applog
grep -E 'ERROR|WARN'
