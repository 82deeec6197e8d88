/**
 * \summary Validators for the SIEM shapes, built from the schema files themselves (read from the
 * shared directory, never copied): OCSF 1.8.0 classes resolved as the OCSF server does, and ECS
 * 9.4.0 from `ecs_flat.yml`. No maintained npm package validates OCSF events from the schema
 * repository's files (the OCSF server is Elixir; ocsf-validator is Python), so this is a small
 * resolver: classes walk `extends` to `base_event` merging attributes child-over-parent; objects
 * likewise; `$include`d profile attributes count only when `metadata.profiles` names the profile.
 *
 * OCSF checks: every key is an attribute of its class or object (or sits under `unmapped`, or in
 * a `json_t`/`object` value); every required attribute is present; `at_least_one` and `just_one` constraints;
 * arrays where `is_array`; scalar types (`string_t`, `integer_t`, `long_t`, `timestamp_t`, ...)
 * and their regexes from `dictionary.json`; `*_id` values within the enum of the class, object or
 * dictionary; `class_uid` = category * 1000 + class and `type_uid` = class_uid * 100 + activity_id.
 * ECS checks: every leaf's dotted name is an ECS field (or under the documented custom `auscult.*`
 * set), its type (keyword, long, date, ip, ...), `normalize: array` fields are arrays,
 * `allowed_values` for `event.kind/category/type` and the field's `pattern`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { sharedPath } from './shared.js';

type Attr = { type?: string; is_array?: boolean; requirement?: string; enum?: Record<string, unknown>; profile?: string | null };
type Def = { name: string; extends?: string; uid?: number; attributes: Record<string, Attr | string[]>; constraints?: { at_least_one?: string[]; just_one?: string[] }; profiles?: string[] };

const ocsfDir = (...p: string[]): string => sharedPath('schemas', 'ocsf', ...p);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

export class OcsfValidator {
  private readonly dict: Record<string, Attr>;
  private readonly types: Record<string, { type?: string; regex?: string }>;
  private readonly objects = new Map<string, { attrs: Record<string, Attr>; constraints: Def['constraints'] }>();
  private readonly classes = new Map<number, { attrs: Record<string, Attr>; categoryUid: number; constraints: Def['constraints'] }>();

  constructor() {
    const d = readJson<{ attributes: Record<string, Attr>; types: { attributes: Record<string, { type?: string; regex?: string }> } }>(ocsfDir('dictionary.json'));
    this.dict = d.attributes;
    this.types = d.types.attributes;
    const cats = readJson<{ attributes: Record<string, { uid: number }> }>(ocsfDir('categories.json')).attributes;
    for (const [dirName, file] of [['discovery', 'inventory_info'], ['findings', 'vulnerability_finding'], ['findings', 'compliance_finding'], ['findings', 'detection_finding'], ['network', 'network_activity']] as const) {
      const def = readJson<Def>(ocsfDir('events', dirName, `${file}.json`));
      const cat = cats[dirName];
      if (cat === undefined || def.uid === undefined) throw new Error(`OCSF: no category ${dirName} or uid in ${file}`);
      const { attrs, constraints } = this.resolve(def, (name) => {
        const parentDir = name === 'base_event' ? [] : [dirName];
        return readJson<Def>(ocsfDir('events', ...parentDir, `${name}.json`));
      });
      this.classes.set(cat.uid * 1000 + def.uid, { attrs, categoryUid: cat.uid, constraints });
    }
  }

  /** Merges a definition's attributes over its parents' (profiles' attributes tagged with their profile). */
  private resolve(def: Def, load: (name: string) => Def): { attrs: Record<string, Attr>; constraints: Def['constraints'] } {
    const parent = def.extends !== undefined && def.extends !== 'object' ? this.resolve(load(def.extends), load) : { attrs: {}, constraints: undefined };
    const attrs: Record<string, Attr> = { ...parent.attrs };
    for (const [k, v] of Object.entries(def.attributes)) {
      if (k === '$include') {
        for (const inc of v as string[]) {
          const prof = readJson<Def>(ocsfDir(inc));
          for (const [pk, pv] of Object.entries(prof.attributes)) if (pk !== '$include') attrs[pk] = { ...(pv as Attr), ...(attrs[pk] ?? {}), profile: prof.name };
        }
        continue;
      }
      attrs[k] = { ...(attrs[k] ?? {}), ...(v as Attr) };
    }
    return { attrs, constraints: def.constraints ?? parent.constraints };
  }

  private object(name: string): { attrs: Record<string, Attr>; constraints: Def['constraints'] } {
    let o = this.objects.get(name);
    if (o === undefined) {
      o = this.resolve(readJson<Def>(ocsfDir('objects', `${name}.json`)), (n) => readJson<Def>(ocsfDir('objects', `${n}.json`)));
      this.objects.set(name, o);
    }
    return o;
  }

  /** Every problem with the event (empty when valid). */
  validate(event: Record<string, unknown>): string[] {
    const errors: string[] = [];
    const classUid = event['class_uid'];
    const cls = typeof classUid === 'number' ? this.classes.get(classUid) : undefined;
    if (cls === undefined || typeof classUid !== 'number') return [`class_uid ${String(classUid)} is not one of the resolved classes`];
    if (event['category_uid'] !== cls.categoryUid) errors.push(`category_uid ${String(event['category_uid'])} != ${cls.categoryUid}`);
    if (event['type_uid'] !== classUid * 100 + Number(event['activity_id'])) errors.push(`type_uid ${String(event['type_uid'])} != class_uid * 100 + activity_id`);
    const meta = event['metadata'] as { profiles?: string[] } | undefined;
    const profiles = new Set(meta?.profiles ?? []);
    this.check(event, cls.attrs, cls.constraints, profiles, '', errors);
    return errors;
  }

  private check(value: Record<string, unknown>, attrs: Record<string, Attr>, constraints: Def['constraints'], profiles: Set<string>, path: string, errors: string[]): void {
    const active = (a: Attr): boolean => a.profile === undefined || a.profile === null || profiles.has(a.profile);
    for (const [k, a] of Object.entries(attrs)) {
      if (a.requirement === 'required' && active(a) && !(k in value)) errors.push(`${path}${k}: required`);
    }
    if (constraints?.at_least_one && !constraints.at_least_one.some((k) => k in value)) errors.push(`${path}: needs at least one of ${constraints.at_least_one.join(', ')}`);
    if (constraints?.just_one && constraints.just_one.filter((k) => k in value).length !== 1) errors.push(`${path}: needs just one of ${constraints.just_one.join(', ')}`);
    for (const [k, v] of Object.entries(value)) {
      const a = attrs[k];
      if (a === undefined || !active(a)) {
        errors.push(`${path}${k}: not an attribute here`);
        continue;
      }
      const d = this.dict[k] ?? {};
      const type = a.type ?? d.type;
      const isArray = a.is_array ?? d.is_array ?? false;
      if (type === undefined) {
        errors.push(`${path}${k}: no type in the dictionary`);
        continue;
      }
      const items = isArray ? (Array.isArray(v) ? v : (errors.push(`${path}${k}: must be an array`), [])) : [v];
      if (!isArray && Array.isArray(v)) errors.push(`${path}${k}: must not be an array`);
      const enumKeys = k.endsWith('_id') ? Object.keys({ ...(d.enum ?? {}), ...(a.enum ?? {}) }) : [];
      items.forEach((item, i) => {
        const where = `${path}${k}${isArray ? `[${i}]` : ''}`;
        if (enumKeys.length > 0 && !enumKeys.includes(String(item))) errors.push(`${where}: ${String(item)} not in enum ${enumKeys.join(',')}`);
        this.checkType(item, type, where, profiles, errors);
      });
    }
  }

  private checkType(v: unknown, type: string, where: string, profiles: Set<string>, errors: string[]): void {
    if (type === 'object' || type === 'json_t') return; // `unmapped` and free JSON
    if (type.endsWith('_t')) {
      const t = this.types[type];
      if (t === undefined) {
        errors.push(`${where}: unknown type ${type}`);
        return;
      }
      const base = t.type ?? type;
      const ok = {
        string_t: typeof v === 'string', integer_t: Number.isInteger(v), long_t: Number.isInteger(v), float_t: typeof v === 'number',
        boolean_t: typeof v === 'boolean', timestamp_t: Number.isInteger(v),
      }[base] ?? (base === type ? false : true);
      if (!ok) errors.push(`${where}: ${JSON.stringify(v)} is not ${type}`);
      if (type === 'ip_t' && typeof v === 'string' && isIP(v) === 0) errors.push(`${where}: ${v} is not an IP address`);
      else if (t.regex !== undefined && typeof v === 'string' && type !== 'ip_t' && !new RegExp(t.regex).test(v)) errors.push(`${where}: ${v} does not match ${type}`);
      return;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      errors.push(`${where}: must be a ${type} object`);
      return;
    }
    const o = this.object(type);
    this.check(v as Record<string, unknown>, o.attrs, o.constraints, profiles, `${where}.`, errors);
  }
}

type EcsField = { type: string; normalize?: string[]; allowed_values?: { name: string }[]; pattern?: string };

export class EcsValidator {
  private readonly fields: Record<string, EcsField>;
  constructor(private readonly customPrefix = 'auscult.') {
    this.fields = parseYaml(readFileSync(sharedPath('schemas', 'ecs', 'ecs_flat.yml'), 'utf8'), { maxAliasCount: -1 }) as Record<string, EcsField>;
  }

  validate(doc: Record<string, unknown>): string[] {
    const errors: string[] = [];
    const walk = (v: unknown, name: string): void => {
      if (name.startsWith(this.customPrefix)) return;
      const f = this.fields[name];
      if (f === undefined) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
          for (const [k, c] of Object.entries(v)) walk(c, name === '' ? k : `${name}.${k}`);
          return;
        }
        errors.push(`${name}: not an ECS field`);
        return;
      }
      const isArray = f.normalize?.includes('array') ?? false;
      if (isArray && !Array.isArray(v)) errors.push(`${name}: ECS normalizes it to an array`);
      for (const item of Array.isArray(v) ? v : [v]) {
        const ok = {
          keyword: typeof item === 'string', constant_keyword: typeof item === 'string', wildcard: typeof item === 'string', match_only_text: typeof item === 'string', text: typeof item === 'string',
          long: Number.isInteger(item), integer: Number.isInteger(item), short: Number.isInteger(item), byte: Number.isInteger(item), float: typeof item === 'number', scaled_float: typeof item === 'number',
          date: typeof item === 'string' && !Number.isNaN(Date.parse(item)), ip: typeof item === 'string' && isIP(item) !== 0, boolean: typeof item === 'boolean',
          object: typeof item === 'object', flattened: typeof item === 'object', nested: typeof item === 'object',
        }[f.type];
        if (ok !== true) errors.push(`${name}: ${JSON.stringify(item)} is not ${f.type}`);
        if (f.allowed_values && !f.allowed_values.some((a) => a.name === item)) errors.push(`${name}: ${String(item)} is not an allowed value`);
        if (f.pattern !== undefined && typeof item === 'string' && !new RegExp(f.pattern).test(item)) errors.push(`${name}: ${item} does not match ${f.pattern}`);
      }
    };
    walk(doc, '');
    return errors;
  }
}
