// The impact graph's part of ECharts: the graph series, registered on the dashboards' ECharts
// instance (reporting/echarts.ts) only when a CI page is opened, so the dashboards' chunk stays small.
import { GraphChart } from 'echarts/charts';
import { echarts } from '../reporting/echarts';

echarts.use([GraphChart]);

export { echarts };
