"""Build pure-Python wheels from Debian's packages of the same projects (run in a container).

Usage: make-wheels.py OUT (name version requires module...)...  as JSON on stdin.
Each wheel holds the modules as Debian installs them under /usr/lib/python3/dist-packages
(extracted beforehand into /tmp/x) and a dist-info with METADATA, WHEEL and RECORD.
"""
import base64, hashlib, json, os, sys, zipfile

out = sys.argv[1]
for spec in json.load(sys.stdin):
    name, version = spec['name'], spec['version']
    dist = name.replace('-', '_')
    wheel = os.path.join(out, '%s-%s-py3-none-any.whl' % (dist, version))
    records = []
    with zipfile.ZipFile(wheel, 'w', zipfile.ZIP_DEFLATED) as z:
        def add(arcname, data):
            z.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
            records.append('%s,sha256=%s,%d' % (arcname, digest, len(data)))
        root = '/tmp/x/usr/lib/python3/dist-packages'
        for module in spec['modules']:
            path = os.path.join(root, module)
            if os.path.isdir(path):
                for folder, _, files in os.walk(path):
                    for f in sorted(files):
                        if f.endswith('.pyc'):
                            continue
                        full = os.path.join(folder, f)
                        add(os.path.relpath(full, root), open(full, 'rb').read())
            else:
                add(module, open(path, 'rb').read())
        info = '%s-%s.dist-info' % (dist, version)
        metadata = 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' % (name, version) + ''.join('Requires-Dist: %s\n' % r for r in spec['requires'])
        add(info + '/METADATA', metadata.encode())
        add(info + '/WHEEL', b'Wheel-Version: 1.0\nGenerator: forager-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
        z.writestr(info + '/RECORD', '\n'.join(records + [info + '/RECORD,,']) + '\n')
    print(os.path.basename(wheel))
