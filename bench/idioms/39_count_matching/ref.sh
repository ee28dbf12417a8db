# the number of lines containing ERROR
# input: applog
grep -c -F ERROR
