"""Load a `forager export --format hf` folder with Hugging Face `datasets`, every config and split.

    python scripts/load-hf-dataset.py DIR        # prints the row counts per config and split as JSON (last line)

Used by tests/export/format-hf.test.ts when FORAGER_DATASETS_PYTHON names a Python that has `datasets`.
"""
import datasets, json, sys
root = sys.argv[1]
out = {}
for config in ["trajectories", "steps", "chat"]:
    ds = datasets.load_dataset(root, config)
    out[config] = {split: ds[split].num_rows for split in ds}
    print(config, ds)
    print("  features:", {k: str(v)[:120] for k, v in list(ds["train"].features.items())[:4]})
chat = datasets.load_dataset(root, "chat", split="train")
row = chat[0]
print("chat row: roles", [m["role"] for m in row["messages"]][:6], "tools", len(json.loads(row["tools"])), "cwm roles", [m["role"] for m in row["messages_cwm"]][:4])
default = datasets.load_dataset(root)
print("default config:", list(default.keys()), default["train"].column_names[:5])
print(json.dumps(out))
