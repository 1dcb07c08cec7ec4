/** The header's link to the Experiments view (apart from the view's own strings, which load with it). */
import { defineMessages } from '../../i18n/i18n.svelte';

export const navT = defineMessages({ navExperiments: 'Experiments' }, { navExperiments: '实验' });
