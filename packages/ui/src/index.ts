/**
 * The web app's components: presentation only. They take text and data as props (the app
 * translates and fetches) and meet WCAG 2.1 AA on their own: every control has a label, errors
 * are tied to their field, status messages are announced, charts have a text alternative.
 */
export { Alert, type AlertProps } from './alert.tsx';
export { Button, type ButtonProps } from './button.tsx';
export { TextField, SelectField, type TextFieldProps, type SelectFieldProps } from './fields.tsx';
export { Pagination, pageOf, type PaginationProps } from './pagination.tsx';
export { LineChart, type LineChartProps, type ChartPoint, type ChartSeries } from './line-chart.tsx';
export { chartScale, niceTicks } from './chart-scale.ts';
export { Card, type CardProps } from './card.tsx';
export { Loading } from './loading.tsx';
export { Dialog, type DialogProps } from './dialog.tsx';
export { TextAreaField, CheckboxField, RadioGroup, type TextAreaFieldProps, type CheckboxFieldProps, type RadioGroupProps } from './choice-fields.tsx';
