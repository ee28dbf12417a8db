# the lines longer than 60 bytes
# input: text
awk 'length($0) > 60'
