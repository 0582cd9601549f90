def test_peek(db):
    exec(open("/tmp/scratch/peek.py").read())
