import { BARE_SITE, prologueLaunchOf, siteCommandOf, siteOf, unprovidedBy, type Site } from './site';

const facility: Site = siteOf(
  {
    binDirs: ['/opt/xds/bin'],
    env: { OMP_NUM_THREADS: '4' },
    readOnly: ['/cvmfs'],
    prologue: ['source /etc/profile.d/lmod.sh'],
    modules: { available: ['dials', 'openbabel/3.1'] },
    images: { 'dials-3.12': '/opt/images/dials-3.12.sif' },
    wrapper: ['apptainer', 'exec', '--bind', '/scratch', '{image}'],
  },
  'site.json',
);

describe("the runner's site (CAIRN_RUNNER_SITE)", () => {
  it('provides the modules and images it names, through its wrapper; anything else is named in the reason', () => {
    expect(unprovidedBy(facility, undefined)).toBeUndefined();
    expect(unprovidedBy(facility, { modules: ['dials'], image: 'dials-3.12' })).toBeUndefined();
    expect(unprovidedBy(facility, { modules: ['dials', 'xds', 'ccp4'] })).toBe('this runner cannot provide the modules xds, ccp4 (it has dials, openbabel/3.1)');
    expect(unprovidedBy(facility, { image: 'phenix' })).toBe('this runner cannot provide the image phenix (it has dials-3.12)');
    expect(unprovidedBy({ ...facility, wrapper: undefined }, { image: 'dials-3.12' })).toBe('this runner cannot run the image dials-3.12: its site file has no wrapper to run images with');
    expect(unprovidedBy(BARE_SITE, { modules: ['dials'] })).toBe("this runner cannot provide the module dials (its site file names none)");
    expect(unprovidedBy({ ...facility, modules: { available: '*', load: 'module load' } }, { modules: ['anything/1.0'] })).toBeUndefined();
  });

  it('runs the command through the wrapper with the image in place of {image}, after the prologue and the modules loaded in order', () => {
    expect(siteCommandOf(facility, { modules: ['dials', 'openbabel/3.1'], image: 'dials-3.12' }, ['dials.import', 'x.cbf'])).toEqual({
      argv: ['apptainer', 'exec', '--bind', '/scratch', '/opt/images/dials-3.12.sif', 'dials.import', 'x.cbf'],
      prologue: ['source /etc/profile.d/lmod.sh', "module load 'dials' 'openbabel/3.1'"],
    });
    expect(siteCommandOf(facility, undefined, ['stats'])).toEqual({ argv: ['stats'], prologue: ['source /etc/profile.d/lmod.sh'] });
    expect(siteCommandOf(BARE_SITE, undefined, ['stats'])).toEqual({ argv: ['stats'], prologue: [] });
  });

  it('a prologue runs in bash, which is handed the command as its arguments (never as script) and becomes it', () => {
    const [shell, flag, script, name, ...argv] = prologueLaunchOf(['module load dials'], ['dials.import', '$(touch x)']);
    expect([shell, flag, name, argv]).toEqual(['bash', '-c', 'cairn-job', ['dials.import', '$(touch x)']]);
    expect(script).toContain("module load dials || cairn_not_started 'the site'\\''s prologue failed at: module load dials'");
    expect(script.endsWith('exec "$@"')).toBe(true);
    expect(script).not.toContain('touch');
  });

  it('refuses a site file the runner would misread, naming the setting', () => {
    const refused = (file: unknown) => () => siteOf(file, 'site.json');
    expect(refused({ binDir: ['/opt'] })).toThrow('site.json: binDir is not a site setting');
    expect(refused({ binDirs: ['bin'] })).toThrow('site.json: binDirs must be a list of absolute paths');
    expect(refused({ env: { PATH: '/opt/bin' } })).toThrow("env.PATH is the runner's to set");
    expect(refused({ env: { 'NO-NAME': 'x' } })).toThrow('env.NO-NAME is not a variable name');
    expect(refused({ modules: { available: ['dials; rm -rf ~'] } })).toThrow('modules.available must be a list of module names, or "*"');
    expect(refused({ images: { 'a b': '/x.sif' } })).toThrow('images.a b is not an image name');
    expect(refused({ wrapper: ['apptainer', 'exec'] })).toThrow('wrapper must be an argument vector holding {image}');
    expect(refused([])).toThrow('must hold a JSON object');
    expect(siteOf({}, 'site.json')).toEqual(BARE_SITE);
  });
});
