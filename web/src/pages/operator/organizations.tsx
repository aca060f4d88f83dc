import { useState } from 'preact/hooks';
import { call } from '../../api/client';
import type { Organization } from '../../api/types';
import { ConfirmDialog, type ConfirmRequest } from '../../components/confirm-dialog';
import { Empty, ErrorNotice, Loading, SuccessNotice } from '../../components/notices';
import { Page } from '../../components/page';
import { useAction, useLoad } from '../../components/use-load';
import { useI18n } from '../../i18n/i18n';

const ROLES = ['custodian', 'provider', 'consumer', 'auditor'] as const;

/** The operator's view of organisations: register one, suspend one. */
export function OrganizationsPage() {
  const { t, optional, date } = useI18n();
  const list = useLoad(() => call<{ items: Organization[] }>('/v1/organizations'));
  const [confirm, setConfirm] = useState<ConfirmRequest | undefined>();
  const [done, setDone] = useState('');
  const action = useAction();
  const suspend = (org: Organization): void =>
    setConfirm({
      title: t('orgs.suspendTitle'),
      body: t('orgs.suspendBody', { name: org.name }),
      confirmLabel: t('orgs.suspend'),
      danger: true,
      onConfirm: () =>
        void action.run(async () => {
          await call(`/v1/organizations/${org.id}/suspend`, { body: {} });
          setDone(t('orgs.suspended', { name: org.name }));
          list.reload();
        }),
    });
  return (
    <Page title={t('orgs.title')} intro={t('orgs.intro')}>
      <SuccessNotice>{done}</SuccessNotice>
      <ErrorNotice error={list.error ?? action.error} />
      {list.loading && !list.data && <Loading />}
      {list.data?.items.length === 0 && <Empty>{t('orgs.none')}</Empty>}
      {list.data && list.data.items.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label={t('orgs.title')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('orgs.name')}</th>
                <th scope="col">{t('orgs.registrationNumber')}</th>
                <th scope="col">{t('orgs.roles')}</th>
                <th scope="col">{t('orgs.status')}</th>
                <th scope="col">{t('orgs.since')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('orgs.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((o) => (
                <tr key={o.id}>
                  <th scope="row">{o.name}</th>
                  <td class="mono">{o.registrationNumber}</td>
                  <td>{o.roles.map((r) => optional(`orgRole.${r}`) ?? r).join(', ')}</td>
                  <td>
                    <span class={`badge ${o.status === 'VERIFIED' ? 'status-active' : 'status-revoked'}`}>{t(`orgStatus.${o.status}` as const)}</span>
                  </td>
                  <td>{date(o.createdAt)}</td>
                  <td>
                    {o.status === 'VERIFIED' && !o.roles.includes('operator') && (
                      <button
                        type="button"
                        class="button danger small"
                        disabled={action.busy}
                        onClick={() => suspend(o)}
                        aria-label={t('orgs.suspendNamed', { name: o.name })}
                      >
                        {t('orgs.suspend')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <RegisterForm
        onRegistered={(org) => {
          setDone(t('orgs.registered', { name: org.name }));
          list.reload();
        }}
      />
      <ConfirmDialog request={confirm} onClose={() => setConfirm(undefined)} />
    </Page>
  );
}

function RegisterForm({ onRegistered }: { onRegistered(org: Organization): void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [registrationNumber, setRegistrationNumber] = useState('');
  const [roles, setRoles] = useState<Set<string>>(new Set(['consumer']));
  const [jwks, setJwks] = useState('');
  const [jwksInvalid, setJwksInvalid] = useState(false);
  const action = useAction();
  const submit = (event: Event): void => {
    event.preventDefault();
    let keys: unknown;
    try {
      keys = JSON.parse(jwks);
      setJwksInvalid(false);
    } catch {
      setJwksInvalid(true);
      return;
    }
    void action.run(async () => {
      const org = await call<Organization>('/v1/organizations', { body: { name, registrationNumber, roles: [...roles], jwks: keys } });
      setName('');
      setRegistrationNumber('');
      setJwks('');
      onRegistered(org);
    });
  };
  return (
    <form class="card form" onSubmit={submit} aria-labelledby="register-heading">
      <h2 id="register-heading">{t('orgs.register')}</h2>
      <div class="field">
        <label for="org-name">{t('orgs.name')}</label>
        <input id="org-name" required minLength={2} maxLength={200} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="org-reg">{t('orgs.registrationNumber')}</label>
        <input
          id="org-reg"
          required
          pattern="[A-Za-z0-9\-]{5,30}"
          value={registrationNumber}
          onInput={(e) => setRegistrationNumber(e.currentTarget.value)}
          aria-describedby="org-reg-hint"
        />
        <p id="org-reg-hint" class="hint">
          {t('orgs.registrationNumberHint')}
        </p>
      </div>
      <fieldset class="choices">
        <legend>{t('orgs.roles')}</legend>
        {ROLES.map((r) => (
          <label key={r} class="choice">
            <input
              type="checkbox"
              checked={roles.has(r)}
              onChange={(e) => {
                const next = new Set(roles);
                if (e.currentTarget.checked) next.add(r);
                else next.delete(r);
                setRoles(next);
              }}
            />
            <span>{t(`orgRole.${r}` as const)}</span>
          </label>
        ))}
      </fieldset>
      <div class="field">
        <label for="org-jwks">{t('orgs.jwks')}</label>
        <textarea
          id="org-jwks"
          class="mono"
          rows={6}
          required
          value={jwks}
          onInput={(e) => setJwks(e.currentTarget.value)}
          aria-describedby="org-jwks-hint"
          aria-invalid={jwksInvalid}
        />
        <p id="org-jwks-hint" class="hint">
          {t('orgs.jwksHint')}
        </p>
        {jwksInvalid && (
          <p class="notice notice-error" role="alert">
            {t('orgs.jwksInvalid')}
          </p>
        )}
      </div>
      <ErrorNotice error={action.error} />
      <div class="actions">
        <button type="submit" class="button primary" disabled={action.busy || roles.size === 0}>
          {t('orgs.registerSubmit')}
        </button>
      </div>
    </form>
  );
}
