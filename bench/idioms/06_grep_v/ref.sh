# the lines without "INFO"
# input: applog
grep -v -F INFO
