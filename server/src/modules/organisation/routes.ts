import { z } from 'zod';
import type { ModuleContext, ZApp } from '../../platform/http/context.js';
import { actorOf } from '../../platform/http/context.js';
import { AppError } from '../../platform/http/errors.js';
import { idParams, iso, page, pageQuery } from '../../platform/http/zod.js';
import { contactsTemplate } from './import.js';
import type { Contact, ContactHit, Contract, Customer, Site, Team } from './repo.js';
import {
  contactCreate,
  contactOut,
  contactPatch,
  contactSearchHit,
  contactSearchQuery,
  contractCreate,
  contractOut,
  contractPatch,
  customerCreate,
  customerListQuery,
  customerOut,
  customerPatch,
  siteCreate,
  siteOut,
  sitePatch,
  teamCreate,
  teamOut,
  teamPatch,
} from './schema.js';
import type { OrganisationService } from './service.js';

const V1 = '/api/v1';
const noContent = { 204: z.null() };
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const customerJson = (c: Customer) => ({ ...c, archivedAt: iso(c.archivedAt), createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) });
const siteJson = (s: Site) => ({ ...s, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) });
const contactJson = (c: Contact) => ({ ...c, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) });
const contactHitJson = (c: ContactHit) => ({ ...contactJson(c), customerName: c.customerName, siteName: c.siteName, matched: c.matched });
const contractJson = (c: Contract) => ({ ...c, createdAt: iso(c.createdAt), updatedAt: iso(c.updatedAt) });
const teamJson = (t: Team) => ({ ...t, kind: t.kind as z.infer<typeof teamOut>['kind'], assignment: t.assignment as z.infer<typeof teamOut>['assignment'], createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) });

/** HTTP for teams, customers, sites, contacts and contracts (docs/API.md). */
export function organisationRoutes(app: ZApp, ctx: ModuleContext, service: OrganisationService) {
  // ------------------------------------------------------------ teams
  const teams = { tags: ['teams'] };
  app.get(`${V1}/teams`, { config: { permission: 'teams.read' }, schema: { ...teams, summary: 'List provider teams', querystring: pageQuery, response: { 200: page(teamOut) } } }, async (request) => {
    const result = await service.listTeams(actorOf(request), request.query);
    return { items: result.items.map(teamJson), nextCursor: result.nextCursor };
  });
  app.post(`${V1}/teams`, { config: { permission: 'teams.write' }, schema: { ...teams, summary: 'Create a team', body: teamCreate, response: { 201: teamOut } } }, async (request, reply) => {
    return reply.status(201).send(teamJson(await service.createTeam(actorOf(request), request.body)));
  });
  app.get(`${V1}/teams/:id`, { config: { permission: 'teams.read' }, schema: { ...teams, summary: 'A team', params: idParams, response: { 200: teamOut } } }, async (request) =>
    teamJson(await service.getTeam(actorOf(request), request.params.id)),
  );
  app.patch(`${V1}/teams/:id`, { config: { permission: 'teams.write' }, schema: { ...teams, summary: 'Change a team (send the version read)', params: idParams, body: teamPatch, response: { 200: teamOut } } }, async (request) =>
    teamJson(await service.updateTeam(actorOf(request), request.params.id, request.body)),
  );
  app.delete(`${V1}/teams/:id`, { config: { permission: 'teams.write' }, schema: { ...teams, summary: 'Delete a team', params: idParams, response: noContent } }, async (request, reply) => {
    await service.deleteTeam(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  // ------------------------------------------------------------ customers
  const customers = { tags: ['customers'] };
  app.get(
    `${V1}/customers`,
    { config: { permission: 'customers.read' }, schema: { ...customers, summary: 'List customers in the caller\'s scope (archived ones with archived=true)', querystring: customerListQuery, response: { 200: page(customerOut) } } },
    async (request) => {
      const result = await service.listCustomers(actorOf(request), request.query);
      return { items: result.items.map(customerJson), nextCursor: result.nextCursor };
    },
  );
  app.post(
    `${V1}/customers`,
    { config: { permission: 'customers.write' }, schema: { ...customers, summary: 'Create a customer (needs scope.all too)', body: customerCreate, response: { 201: customerOut } } },
    async (request, reply) => reply.status(201).send(customerJson(await service.createCustomer(actorOf(request), request.body))),
  );
  app.get(`${V1}/customers/:id`, { config: { permission: 'customers.read' }, schema: { ...customers, summary: 'A customer', params: idParams, response: { 200: customerOut } } }, async (request) =>
    customerJson(await service.getCustomer(actorOf(request), request.params.id)),
  );
  app.patch(
    `${V1}/customers/:id`,
    { config: { permission: 'customers.write' }, schema: { ...customers, summary: 'Change a customer (send the version read)', params: idParams, body: customerPatch, response: { 200: customerOut } } },
    async (request) => customerJson(await service.updateCustomer(actorOf(request), request.params.id, request.body)),
  );
  app.delete(
    `${V1}/customers/:id`,
    { config: { permission: 'customers.write' }, schema: { ...customers, summary: 'Delete a customer nothing refers to (otherwise 409: archive it)', params: idParams, response: noContent } },
    async (request, reply) => {
      await service.deleteCustomer(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${V1}/customers/:id/archive`,
    { config: { permission: 'customers.write' }, schema: { ...customers, summary: 'Archive a customer: hidden from lists, no new records', params: idParams, response: { 200: customerOut } } },
    async (request) => customerJson(await service.setArchived(actorOf(request), request.params.id, true)),
  );
  app.post(
    `${V1}/customers/:id/unarchive`,
    { config: { permission: 'customers.write' }, schema: { ...customers, summary: 'Bring an archived customer back', params: idParams, response: { 200: customerOut } } },
    async (request) => customerJson(await service.setArchived(actorOf(request), request.params.id, false)),
  );

  // ------------------------------------------------------------ sites
  const sites = { tags: ['sites'] };
  app.get(`${V1}/customers/:id/sites`, { config: { permission: 'customers.read' }, schema: { ...sites, summary: 'A customer\'s sites', params: idParams, querystring: pageQuery, response: { 200: page(siteOut) } } }, async (request) => {
    const result = await service.listSites(actorOf(request), request.params.id, request.query);
    return { items: result.items.map(siteJson), nextCursor: result.nextCursor };
  });
  // The portal's site picker. A dedicated route rather than portal.use on the one above: portal.use
  // is granted freely (accounts treats it as no power over data), so it must never open sites of
  // any customer but the caller's own; customer staff without customers.read get theirs here.
  app.get(
    `${V1}/portal/sites`,
    { config: { permission: 'portal.use' }, schema: { ...sites, summary: 'The caller\'s own customer\'s sites (customer staff, portal)', querystring: pageQuery, response: { 200: page(siteOut) } } },
    async (request) => {
      const result = await service.listOwnSites(actorOf(request), request.query);
      return { items: result.items.map(siteJson), nextCursor: result.nextCursor };
    },
  );
  app.post(`${V1}/customers/:id/sites`, { config: { permission: 'customers.write' }, schema: { ...sites, summary: 'Add a site', params: idParams, body: siteCreate, response: { 201: siteOut } } }, async (request, reply) =>
    reply.status(201).send(siteJson(await service.createSite(actorOf(request), request.params.id, request.body))),
  );
  app.get(`${V1}/sites/:id`, { config: { permission: 'customers.read' }, schema: { ...sites, summary: 'A site', params: idParams, response: { 200: siteOut } } }, async (request) =>
    siteJson(await service.getSite(actorOf(request), request.params.id)),
  );
  app.patch(`${V1}/sites/:id`, { config: { permission: 'customers.write' }, schema: { ...sites, summary: 'Change a site (send the version read)', params: idParams, body: sitePatch, response: { 200: siteOut } } }, async (request) =>
    siteJson(await service.updateSite(actorOf(request), request.params.id, request.body)),
  );
  app.delete(`${V1}/sites/:id`, { config: { permission: 'customers.write' }, schema: { ...sites, summary: 'Delete a site (its sub-sites move up, its contacts keep no site)', params: idParams, response: noContent } }, async (request, reply) => {
    await service.deleteSite(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  // ------------------------------------------------------------ contacts
  const contacts = { tags: ['contacts'] };
  app.get(`${V1}/customers/:id/contacts`, { config: { permission: 'customers.read' }, schema: { ...contacts, summary: 'A customer\'s contacts', params: idParams, querystring: pageQuery, response: { 200: page(contactOut) } } }, async (request) => {
    const result = await service.listContacts(actorOf(request), request.params.id, request.query);
    return { items: result.items.map(contactJson), nextCursor: result.nextCursor };
  });
  app.post(`${V1}/customers/:id/contacts`, { config: { permission: 'customers.write' }, schema: { ...contacts, summary: 'Add a contact', params: idParams, body: contactCreate, response: { 201: contactOut } } }, async (request, reply) =>
    reply.status(201).send(contactJson(await service.createContact(actorOf(request), request.params.id, request.body))),
  );
  app.get(
    `${V1}/contacts/search`,
    {
      config: { permission: 'customers.read' },
      schema: { ...contacts, summary: 'Find contacts of the caller\'s customers (20 at most): by the beginning of a phone or mobile number, its last four digits, a landline without area code, the name\'s pinyin or initials, or the name, title, site or department (contains)', querystring: contactSearchQuery, response: { 200: z.object({ items: z.array(contactSearchHit) }) } },
    },
    async (request) => ({ items: (await service.searchContacts(actorOf(request), request.query.q)).map(contactHitJson) }),
  );
  app.get(
    `${V1}/contacts/import-template.xlsx`,
    { config: { permission: 'customers.write' }, schema: { ...contacts, summary: 'The .xlsx template for importing contacts', produces: [XLSX], response: { 200: z.string().describe('.xlsx file') } } },
    async (_request, reply) => {
      const file = await contactsTemplate();
      return reply
        .type(XLSX)
        .header('content-disposition', `attachment; filename="contacts-template.xlsx"; filename*=UTF-8''${encodeURIComponent('联系人导入模板.xlsx')}`)
        // A Buffer is sent as is (no serializer runs); the schema's string type only documents it.
        .send(file as unknown as string);
    },
  );
  app.post(
    `${V1}/customers/:id/contacts/import`,
    {
      config: { permission: 'customers.write', uploadLimit: ctx.config.uploadLimit, bodyLimitLabel: formatLimit(ctx.config.uploadLimit) },
      schema: { ...contacts, summary: 'Import contacts from .xlsx (multipart field "file"): every row or none', consumes: ['multipart/form-data'], params: idParams, response: { 200: z.object({ imported: z.number() }) } },
    },
    async (request) => {
      if (!request.isMultipart()) throw AppError.field('file', 'org.import.required');
      const part = await request.file();
      if (!part || part.fieldname !== 'file') throw AppError.field('file', 'org.import.required');
      let buf: Buffer;
      try {
        buf = await part.toBuffer();
      } catch (err) {
        if ((err as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw err;
        const limit = formatLimit(ctx.config.uploadLimit);
        throw new AppError(413, 'too_large', 'http.tooLarge', { limit }, [{ field: 'file', code: 'org.import.tooLarge', params: { limit } }]);
      }
      return service.importContacts(actorOf(request), request.params.id, buf, part.filename);
    },
  );
  app.get(`${V1}/contacts/:id`, { config: { permission: 'customers.read' }, schema: { ...contacts, summary: 'A contact', params: idParams, response: { 200: contactOut } } }, async (request) =>
    contactJson(await service.getContact(actorOf(request), request.params.id)),
  );
  app.patch(`${V1}/contacts/:id`, { config: { permission: 'customers.write' }, schema: { ...contacts, summary: 'Change a contact (send the version read)', params: idParams, body: contactPatch, response: { 200: contactOut } } }, async (request) =>
    contactJson(await service.updateContact(actorOf(request), request.params.id, request.body)),
  );
  app.delete(`${V1}/contacts/:id`, { config: { permission: 'customers.write' }, schema: { ...contacts, summary: 'Delete a contact', params: idParams, response: noContent } }, async (request, reply) => {
    await service.deleteContact(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });

  // ------------------------------------------------------------ contracts
  const contracts = { tags: ['contracts'] };
  app.get(`${V1}/customers/:id/contracts`, { config: { permission: 'contracts.read' }, schema: { ...contracts, summary: 'A customer\'s contracts', params: idParams, querystring: pageQuery, response: { 200: page(contractOut) } } }, async (request) => {
    const result = await service.listContracts(actorOf(request), request.params.id, request.query);
    return { items: result.items.map(contractJson), nextCursor: result.nextCursor };
  });
  app.post(`${V1}/customers/:id/contracts`, { config: { permission: 'contracts.write' }, schema: { ...contracts, summary: 'Add a contract', params: idParams, body: contractCreate, response: { 201: contractOut } } }, async (request, reply) =>
    reply.status(201).send(contractJson(await service.createContract(actorOf(request), request.params.id, request.body))),
  );
  app.get(`${V1}/contracts/:id`, { config: { permission: 'contracts.read' }, schema: { ...contracts, summary: 'A contract', params: idParams, response: { 200: contractOut } } }, async (request) =>
    contractJson(await service.getContract(actorOf(request), request.params.id)),
  );
  app.patch(`${V1}/contracts/:id`, { config: { permission: 'contracts.write' }, schema: { ...contracts, summary: 'Change a contract (send the version read)', params: idParams, body: contractPatch, response: { 200: contractOut } } }, async (request) =>
    contractJson(await service.updateContract(actorOf(request), request.params.id, request.body)),
  );
  app.delete(`${V1}/contracts/:id`, { config: { permission: 'contracts.write' }, schema: { ...contracts, summary: 'Delete a contract', params: idParams, response: noContent } }, async (request, reply) => {
    await service.deleteContract(actorOf(request), request.params.id);
    return reply.status(204).send(null);
  });
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MB` : `${Math.round(bytes / 1024)} KB`;
}
