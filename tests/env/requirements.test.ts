import { describe, expect, it } from 'vitest';
import { compareVersions, evaluateMarker, markerEnvironment, parseRequirement, satisfies } from '../../src/env/index.js';

const py311 = markerEnvironment('3.11.2');

describe('parseRequirement()', () => {
  it('reads the name (PEP 503 normalised), extras, specifier and marker of a PEP 508 line', () => {
    expect(parseRequirement("Foo_Bar[Socks, tests] >= 1.2 , <2 ; python_version >= '3.8'")).toEqual({
      raw: "Foo_Bar[Socks, tests] >= 1.2 , <2 ; python_version >= '3.8'", name: 'foo-bar', extras: ['socks', 'tests'], specifier: '>=1.2,<2', marker: "python_version >= '3.8'",
    });
  });

  it('names no distribution for options, paths and direct URL references', () => {
    expect(parseRequirement('-r requirements.txt')).toBeNull();
    expect(parseRequirement('.[tests]')).toBeNull();
    expect(parseRequirement('pkg @ https://example.org/pkg.tar.gz')).toBeNull();
  });
});

describe('evaluateMarker()', () => {
  it('compares python versions as versions, not strings', () => {
    expect(evaluateMarker("python_version >= '3.10'", py311)).toBe(true);
    expect(evaluateMarker("python_version < '3.9'", py311)).toBe(false);
    expect(evaluateMarker("python_full_version >= '3.12'", py311)).toBe(false);
  });

  it('holds for Linux and CPython and combines with and/or and parentheses', () => {
    expect(evaluateMarker("sys_platform == 'win32'", py311)).toBe(false);
    expect(evaluateMarker("sys_platform == 'win32' or (platform_system == 'Linux' and implementation_name == 'cpython')", py311)).toBe(true);
    expect(evaluateMarker("python_version != '3.3' and python_version >= '3.6'", py311)).toBe(true);
  });

  it('holds an extra marker only when that extra is chosen', () => {
    expect(evaluateMarker("extra == 'tests'", py311)).toBe(false);
    expect(evaluateMarker("extra == 'Tests'", markerEnvironment('3.11.2', ['tests']))).toBe(true);
  });
});

describe('satisfies() and compareVersions()', () => {
  it('checks specifier sets clause by clause, with wildcards', () => {
    expect(satisfies('3.11.2', '>=2.7, !=3.0.*, !=3.1.*, !=3.2.*')).toBe(true);
    expect(satisfies('3.11.2', '>=3.12')).toBe(false);
    expect(satisfies('66.1.1', '>=77')).toBe(false);
    expect(satisfies('1.12.0', '')).toBe(true);
    expect(compareVersions('3.10', '3.9')).toBeGreaterThan(0);
  });
});
