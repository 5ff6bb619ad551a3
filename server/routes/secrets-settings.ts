/**
 * `/api/v1/secrets` (names in the database, values in the OS keychain), `/api/v1/settings` and
 * `/api/v1/api-keys`: what the UI's settings screen and secret picker change. Every change is audited
 * by the engine; a secret's value and an API key's key appear in no answer but the one that creates
 * the key.
 */
import { ENDPOINTS } from '../../core/api/endpoints.ts';
import { conflict, unavailable } from '../../core/api/errors.ts';
import type { SettingsResponse } from '../../core/api/client.ts';
import { addSecretRequestSchema, createApiKeyRequestSchema, removeSecretQuerySchema, setSettingRequestSchema } from '../../core/api/rest.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../core/api-keys/api-keys.ts';
import { addSecret, getSecretInfo, listSecrets, removeSecret, validateSecretName } from '../../core/secrets/secrets.ts';
import { allSettings, setSetting, settingChoices } from '../../core/settings/settings.ts';
import type { Db } from '../../core/store/database.ts';
import { handle, ok, param, parseBody, parseQuery, type Route } from '../route.ts';

const settings = (db: Db): SettingsResponse => ({ values: allSettings(db), choices: settingChoices() });

export const secretSettingRoutes: Route[] = [
  handle(ENDPOINTS.listSecrets, (_r, s) => ok({ items: listSecrets(s.store.db) })),
  handle(ENDPOINTS.addSecret, (r, s) => {
    const input = parseBody(addSecretRequestSchema, r.body);
    validateSecretName(input.name);
    // The CLI replaces with --replace; the API adds only, so say what to do here instead.
    if (listSecrets(s.store.db, input.name).length > 0) throw conflict(`A secret named "${input.name}" already exists: remove it first, or choose another name.`, 'name');
    const state = s.keychain.status();
    if (!state.available) throw unavailable(state.problem ?? 'The OS keychain is not available.');
    return ok(addSecret(s.store, s.keychain, { name: input.name, value: input.value, description: input.description }), 201);
  }),
  handle(ENDPOINTS.removeSecret, (r, s) => {
    const force = parseQuery(removeSecretQuerySchema, r.query).force === 'true';
    const name = param(r, 'name');
    validateSecretName(name);
    const info = getSecretInfo(s.store.db, name);
    if (info.used_by.length > 0 && !force) {
      throw conflict(`The secret "${name}" is used by ${info.used_by.map((n) => `"${n}"`).join(', ')}: change or remove ${info.used_by.length === 1 ? 'that server' : 'those servers'} first, or send ?force=true.`, 'name');
    }
    return ok(removeSecret(s.store, s.keychain, name, { force }));
  }),
  handle(ENDPOINTS.getSettings, (_r, s) => ok(settings(s.store.db))),
  handle(ENDPOINTS.setSetting, (r, s) => {
    const { value } = parseBody(setSettingRequestSchema, r.body);
    const key = param(r, 'key');
    setSetting(s.store.db, key, value);
    s.hub.emit({ type: 'settings', key, value });
    return ok(settings(s.store.db));
  }),
  handle(ENDPOINTS.listApiKeys, (_r, s) => ok({ items: listApiKeys(s.store.db) })),
  handle(ENDPOINTS.createApiKey, (r, s) => ok(createApiKey(s.store, parseBody(createApiKeyRequestSchema, r.body).name), 201)),
  handle(ENDPOINTS.revokeApiKey, (r, s) => ok(revokeApiKey(s.store, param(r, 'name')))),
];
