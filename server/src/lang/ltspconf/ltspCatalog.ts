import catalogData from '../../../../schemas/ltsp-conf.json';
import { VariableCatalog, type CatalogData } from '../core/catalog';

/** LTSP 20+'s ltsp.conf variables (schemas/ltsp-conf.json). */
export const ltspCatalog = new VariableCatalog(catalogData as CatalogData);
