import type { ModuleRegistrar } from '../index.js';
import { AuthService } from '../../platform/auth/service.js';
import { OrganisationService } from '../organisation/service.js';
import { CalendarService } from '../sla/calendars.service.js';
import { TicketService } from '../tickets/service.js';
import { KnowledgeFileService } from './files.js';
import './messages.js';
import { knowledgeRoutes } from './routes.js';
import { ArticleService, REVIEW_JOB } from './service.js';
import { KnowledgeUseService } from './suggest.js';
import { KnowledgeWorkService } from './work.js';

/** The knowledge base (docs/KNOWLEDGE.md): articles, review, versions, suggestions, weekly submissions. */
export const knowledgeModule: ModuleRegistrar = (app, ctx) => {
  const db = ctx.database.db;
  const tickets = new TicketService(db, ctx.config, new OrganisationService(db), new CalendarService(db), new AuthService(db, ctx.config));
  const articles = new ArticleService(db);
  knowledgeRoutes(app, {
    articles,
    files: new KnowledgeFileService(db),
    work: new KnowledgeWorkService(db, articles, tickets),
    uses: new KnowledgeUseService(db, tickets),
  });
  ctx.scheduler.register<{ articleId: number }>(REVIEW_JOB, (job) => articles.runReviewDue(job.payload.articleId));
};
