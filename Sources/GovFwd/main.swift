import Pipeline
print("govfwd")
