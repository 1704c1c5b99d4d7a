"""Install the repository at /testbed "in development mode" without building it.

For projects whose build backend is newer than the one Debian ships (flit_core, hatchling,
setuptools), `pip install -e .` cannot run; this does what an editable install leaves
behind, by hand: a .pth file putting the source root on sys.path, a NAME-VERSION.dist-info
with METADATA (so importlib.metadata finds the project), console-script wrappers, and the
version files a VCS-versioning backend would have written. Paths only: the same install
serves every commit of the repository checked out later at the same place.

Usage: develop.py JSON   (name, version, root, source_root, packages, scripts, version_files)
"""
import json
import os
import site
import sys


def main():
    spec = json.loads(sys.argv[1])
    name, version = spec['name'], spec['version']
    root = spec['root']
    source = os.path.normpath(os.path.join(root, spec['source_root']))
    target = site.getsitepackages()[0]
    os.makedirs(target, exist_ok=True)
    dist = name.replace('-', '_')
    with open(os.path.join(target, '__forager_develop_%s.pth' % dist), 'w') as f:
        f.write(source + '\n')
    info = os.path.join(target, '%s-%s.dist-info' % (dist, version))
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(info, 'METADATA'), 'w') as f:
        f.write('Metadata-Version: 2.1\nName: %s\nVersion: %s\n' % (name, version))
    with open(os.path.join(info, 'INSTALLER'), 'w') as f:
        f.write('forager\n')
    with open(os.path.join(info, 'top_level.txt'), 'w') as f:
        f.write(''.join(p + '\n' for p in spec['packages']))
    with open(os.path.join(info, 'direct_url.json'), 'w') as f:
        json.dump({'url': 'file://' + root, 'dir_info': {'editable': True}}, f)
    scripts = spec.get('scripts') or {}
    if scripts:
        with open(os.path.join(info, 'entry_points.txt'), 'w') as f:
            f.write('[console_scripts]\n' + ''.join('%s = %s\n' % item for item in sorted(scripts.items())))
        for script, target_ref in scripts.items():
            module, _, attr = target_ref.partition(':')
            attr = attr.split('[')[0].strip()
            path = os.path.join('/usr/local/bin', script)
            with open(path, 'w') as f:
                f.write('#!%s\nimport sys\nfrom %s import %s as main\nsys.exit(main())\n' % (sys.executable, module.strip(), attr.split('.')[0]))
            os.chmod(path, 0o755)
    for relative in spec.get('version_files') or []:
        path = os.path.join(root, relative)
        if os.path.exists(path) or not os.path.isdir(os.path.dirname(path)):
            continue
        parts = tuple(int(p) if p.isdigit() else p for p in version.replace('+', '.').split('.'))
        with open(path, 'w') as f:
            f.write('# written by forager in place of the VCS-versioning build step\n'
                    '__version__ = version = %r\n__version_tuple__ = version_tuple = %r\n' % (version, parts))
        # Not the repository's own file: git must not see it (a patch taken later would carry it).
        exclude = os.path.join(root, '.git', 'info', 'exclude')
        if os.path.isdir(os.path.dirname(exclude)):
            with open(exclude, 'a') as f:
                f.write('/%s\n' % relative)
    with open(os.path.join(info, 'RECORD'), 'w') as f:
        f.write('')
    print('installed %s %s from %s into %s' % (name, version, source, target))


if __name__ == '__main__':
    main()
