# the lines containing " status installed "
# input: dpkg
grep -F ' status installed '
