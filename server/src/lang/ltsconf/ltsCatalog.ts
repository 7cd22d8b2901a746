import catalogData from '../../../../schemas/lts-conf.json';
import { VariableCatalog, type CatalogData } from '../core/catalog';

/** LTSP 5's lts.conf variables (schemas/lts-conf.json). */
export const ltsCatalog = new VariableCatalog(catalogData as CatalogData);
